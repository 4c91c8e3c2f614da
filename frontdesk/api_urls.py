from django.urls import path

from . import api, api_folios

urlpatterns = [
    path("reservations/<str:confirmation_number>/check-in", api.CheckInApi.as_view(), name="api-check-in"),
    path("reservations/<str:confirmation_number>/room-suggestions", api.RoomSuggestionsApi.as_view(),
         name="api-room-suggestions"),
    path("reservations/<str:confirmation_number>/folio", api.FolioApi.as_view(), name="api-folio"),
    path("reservations/<str:confirmation_number>/folios", api_folios.FolioListApi.as_view(), name="api-folios"),
    path("reservations/<str:confirmation_number>/folio-routes", api_folios.FolioRoutesApi.as_view(),
         name="api-folio-routes"),
    path("reservations/<str:confirmation_number>/folio-moves", api_folios.FolioMoveApi.as_view(),
         name="api-folio-moves"),
    path("billing-parties", api_folios.BillingPartyListApi.as_view(), name="api-billing-parties"),
    path("reservations/<str:confirmation_number>/charges", api.ChargePostApi.as_view(), name="api-charges"),
    path("reservations/<str:confirmation_number>/charges/<int:line_id>/reverse", api.ChargeReverseApi.as_view(),
         name="api-charge-reverse"),
    path("reservations/<str:confirmation_number>/check-out", api.CheckOutApi.as_view(), name="api-check-out"),
    path("hotels/<str:code>/rooms", api.RoomRackApi.as_view(), name="api-room-rack"),
    path("hotels/<str:code>/rooms/<str:number>/out-of-order", api.RoomOutOfOrderApi.as_view(),
         name="api-room-out-of-order"),
    path("hotels/<str:code>/front-desk", api.DeskDayApi.as_view(), name="api-front-desk-today"),
    path("hotels/<str:code>/housekeeping-tasks", api.HousekeepingTaskListApi.as_view(),
         name="api-housekeeping-tasks"),
    path("housekeeping-tasks/<int:task_id>/transition", api.HousekeepingTaskMoveApi.as_view(),
         name="api-housekeeping-task-transition"),
    path("out-of-order/<int:period_id>/lift", api.OutOfOrderLiftApi.as_view(), name="api-out-of-order-lift"),
]
