"""The moto gaps this project meets, bridged: one module per AWS service (see ../README.md)."""
