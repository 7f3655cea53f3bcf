from django.urls import path

from maas.web import views

api_urlpatterns = [path("map/streets", views.StreetMapView.as_view(), name="map-streets")]
urlpatterns = [path("", views.index, name="resident-page")]
