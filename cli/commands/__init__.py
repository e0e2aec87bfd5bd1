"""One module per command: parse options, call a library function, render."""
