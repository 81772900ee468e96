"""The verbs of the domain, shared by the blueprints and the command line."""
