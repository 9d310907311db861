from django.urls import path

from .views import bookings, desk, hours, kiosk, screen

app_name = "floor"

urlpatterns = [
    path("bookings/", bookings.bookings, name="bookings"),
    path("bookings/<int:pk>/cancel/", bookings.booking_cancel_view, name="booking_cancel"),
    path("desk/", desk.desk, name="desk"),
    path("desk/sign-in/", desk.desk_sign_in, name="desk_sign_in"),
    path("desk/sign-out/", desk.desk_sign_out, name="desk_sign_out"),
    path("desk/call/", desk.desk_call, name="desk_call"),
    path("desk/priority/", desk.desk_priority, name="desk_priority"),
    path("desk/tickets/<int:pk>/<str:action>/", desk.desk_ticket, name="desk_ticket"),
    path("<str:hall_code>/kiosk/", kiosk.kiosk, name="kiosk"),
    path("<str:hall_code>/kiosk/take/", kiosk.kiosk_take, name="kiosk_take"),
    path("<str:hall_code>/kiosk/booking/", kiosk.kiosk_booking, name="kiosk_booking"),
    path("<str:hall_code>/tickets/<int:pk>/", kiosk.ticket, name="ticket"),
    path("<str:hall_code>/screen/", screen.screen, name="screen"),
    path("<str:hall_code>/screen/board/", screen.board, name="board"),
    path("<str:hall_code>/hours/", hours.hours, name="hours"),
    path("<str:hall_code>/hours/<int:pk>/delete/", hours.hours_delete, name="hours_delete"),
    path("<str:hall_code>/hours/close-day/", hours.day_close, name="day_close"),
    path("<str:hall_code>/windows/<int:pk>/categories/", hours.window_categories, name="window_categories"),
]
