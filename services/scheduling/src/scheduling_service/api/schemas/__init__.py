"""What clients send and read back."""
