from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_SEARCH_LENGTH = 200


class PlaceSearchForm(forms.Form):
    q = forms.CharField(label=_("Place name"), max_length=MAX_SEARCH_LENGTH, strip=True)
    county = forms.IntegerField(label=_("County code"), min_value=1, max_value=47, required=False)
    limit = forms.IntegerField(label=_("Limit"), min_value=1, max_value=50, required=False)


class PointForm(forms.Form):
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90)
    lon = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180)
