from django.urls import path

from integrations.scim import views

urlpatterns = [
    path("Users", views.UsersView.as_view(), name="scim_users"),
    path("Users/<str:pk>", views.UserView.as_view(), name="scim_user"),
    path("Groups", views.GroupsView.as_view(), name="scim_groups"),
    path("Groups/<str:group_id>", views.GroupView.as_view(), name="scim_group"),
    path("ServiceProviderConfig", views.ServiceProviderConfigView.as_view(), name="scim_service_provider_config"),
    path("ResourceTypes", views.ResourceTypesView.as_view(), name="scim_resource_types"),
    path("ResourceTypes/<str:name>", views.ResourceTypesView.as_view(), name="scim_resource_type"),
    path("Schemas", views.SchemasView.as_view(), name="scim_schemas"),
    path("Schemas/<str:uri>", views.SchemasView.as_view(), name="scim_schema"),
]
