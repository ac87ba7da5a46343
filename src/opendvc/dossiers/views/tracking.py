"""Placeholder until this module lands."""

urlpatterns = []
