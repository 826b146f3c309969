"""Code shared by the platform's Lambda functions: logging, metrics, AWS clients and notices."""
