from django.urls import path

from .api import folio, folios, housekeeping, rack, stay

urlpatterns = [
    path("reservations/<str:confirmation_number>/check-in", stay.CheckInApi.as_view(), name="api-check-in"),
    path("reservations/<str:confirmation_number>/room-suggestions", stay.RoomSuggestionsApi.as_view(),
         name="api-room-suggestions"),
    path("reservations/<str:confirmation_number>/folio", folio.FolioApi.as_view(), name="api-folio"),
    path("reservations/<str:confirmation_number>/folios", folios.FolioListApi.as_view(), name="api-folios"),
    path("reservations/<str:confirmation_number>/folio-routes", folios.FolioRoutesApi.as_view(),
         name="api-folio-routes"),
    path("reservations/<str:confirmation_number>/folio-moves", folios.FolioMoveApi.as_view(),
         name="api-folio-moves"),
    path("billing-parties", folios.BillingPartyListApi.as_view(), name="api-billing-parties"),
    path("reservations/<str:confirmation_number>/charges", folio.ChargePostApi.as_view(), name="api-charges"),
    path("reservations/<str:confirmation_number>/charges/<int:line_id>/reverse", folio.ChargeReverseApi.as_view(),
         name="api-charge-reverse"),
    path("reservations/<str:confirmation_number>/check-out", stay.CheckOutApi.as_view(), name="api-check-out"),
    path("hotels/<str:code>/rooms", rack.RoomRackApi.as_view(), name="api-room-rack"),
    path("hotels/<str:code>/rooms/<str:number>/out-of-order", rack.RoomOutOfOrderApi.as_view(),
         name="api-room-out-of-order"),
    path("hotels/<str:code>/front-desk", rack.DeskDayApi.as_view(), name="api-front-desk-today"),
    path("hotels/<str:code>/housekeeping-tasks", housekeeping.HousekeepingTaskListApi.as_view(),
         name="api-housekeeping-tasks"),
    path("housekeeping-tasks/<int:task_id>/transition", housekeeping.HousekeepingTaskMoveApi.as_view(),
         name="api-housekeeping-task-transition"),
    path("out-of-order/<int:period_id>/lift", rack.OutOfOrderLiftApi.as_view(), name="api-out-of-order-lift"),
]
