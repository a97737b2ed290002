"""The proof: each link and form fetched or posted as the person who gets it will, before it is handed out."""
