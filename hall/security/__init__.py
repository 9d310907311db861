"""Security controls of the portal (docs/security.md): two factors for staff, session limits, security
events and their burst alarm. Personal data encryption is hall/crypto.py; records in hall/models/security.py."""
