from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("login", views.login, name="login"),
    path("callback", views.callback, name="callback"),
    path("connected", views.connected, name="connected"),
]
