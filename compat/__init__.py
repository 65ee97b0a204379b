"""What vnsearch needs from the platform and from its libraries beyond their public promises, in one place."""
