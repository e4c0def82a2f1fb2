"""One module per page; each view takes a Request and returns a Response."""
