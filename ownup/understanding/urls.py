from django.urls import path

from ownup.understanding import views

app_name = "understanding"
urlpatterns = [
    path("catalog/", views.catalog_page, name="catalog"),
    path("catalog/new/", views.entity_form, name="entity_new"),
    path("catalog/suggest/", views.suggest, name="suggest"),
    path("catalog/export.<str:fmt>", views.export, name="export"),
    path("catalog/kinds/", views.add_vocabulary, {"what": "kind"}, name="kind_add"),
    path(
        "catalog/relation-types/",
        views.add_vocabulary,
        {"what": "relation type"},
        name="relation_type_add",
    ),
    path("catalog/entities/<slug:key>/", views.entity_page, name="entity"),
    path("catalog/entities/<slug:key>/edit/", views.entity_form, name="entity_edit"),
    path("catalog/entities/<slug:key>/delete/", views.delete_entity, name="entity_delete"),
    path("catalog/entities/<slug:key>/relations/", views.add_relation, name="relation_add"),
    path(
        "catalog/relations/<int:relation_id>/remove/",
        views.remove_relation,
        name="relation_remove",
    ),
    path("mistakes/<int:mistake_id>/problem/", views.save_problem, name="problem"),
    path("mistakes/<int:mistake_id>/touch-points/", views.add_touch_point, name="touch_add"),
    path(
        "mistakes/<int:mistake_id>/touch-points/<slug:key>/remove/",
        views.remove_touch_point,
        name="touch_remove",
    ),
    path("mistakes/<int:mistake_id>/implications/", views.decide, name="decide"),
    path("mistakes/<int:mistake_id>/factors/", views.add_factor, name="factor_add"),
    path(
        "mistakes/<int:mistake_id>/factors/<int:factor_id>/remove/",
        views.remove_factor,
        name="factor_remove",
    ),
    path("mistakes/<int:mistake_id>/whys/", views.add_why, name="why_add"),
    path(
        "mistakes/<int:mistake_id>/whys/<int:position>/remove/",
        views.remove_why,
        name="why_remove",
    ),
    path("mistakes/<int:mistake_id>/elsewhere/", views.add_other_place, name="place_add"),
    path(
        "mistakes/<int:mistake_id>/elsewhere/<int:place_id>/remove/",
        views.remove_other_place,
        name="place_remove",
    ),
    path("mistakes/<int:mistake_id>/just-culture/", views.classify, name="classify"),
]
