"""Pages of the hall floor: the kiosk, the calling screen, the window desk, bookings and hours."""
