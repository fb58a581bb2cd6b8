# Being written: the programme manager's screens.
from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


programme_list = programme_edit = cohort_list = cohort_create = cohort_edit = _todo
application_list = application_export = application_detail = _todo
