"""Places and peers: boundaries, place pages, neighbours, similar initiatives and figures."""
