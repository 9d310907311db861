"""The hall floor (预约、取号、叫号): opening hours and slots, bookings, queue tickets, windows and the
calling screen. It knows people, halls, window categories and the working-day calendar, never cases:
a case records the ticket it came from (cases imports hall, never the other way)."""
