"""How S3 is spoken to: the store, SigV4, the transport, what S3 answers, credentials, and S3's own facts."""
