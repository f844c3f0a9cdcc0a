"""The back office: staff accounts, two-factor sign-in, regional access control."""
