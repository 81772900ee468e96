"""Open data files: exports of the current selection and the admins' import page."""
