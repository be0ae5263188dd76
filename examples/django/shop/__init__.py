"""The shop app: books, authors, a cart in the session, orders, reviews."""
