"""`wac generate-metadata`: schemas, locks and wmill-lock.yaml, as `wmill` writes them."""
