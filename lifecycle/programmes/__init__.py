"""Loading programme definitions from YAML into `Programme`s, and the catalogue of them."""
