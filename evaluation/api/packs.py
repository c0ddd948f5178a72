"""The evaluation pack: starting its PDF, XLSX and CSV jobs and reading where they stand."""

from rest_framework import serializers, status

from accounts.api.generic import ActionMixin, CollectionMixin, Doc
from accounts.models import JobStatus

from .. import packs, services
from .common import READ, WRITE
from .evaluations import EvaluationsView

# The evaluation pack ---------------------------------------------------------------------------------------------


class PackJobSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The job's id: follow it and download its file with the jobs API.")
    kind = serializers.CharField()
    status = serializers.CharField(help_text=f"One of: {', '.join(JobStatus.values)}.")
    progress = serializers.IntegerField(help_text="Per cent done.")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class Pack(CollectionMixin, ActionMixin, EvaluationsView):
    """The job starter: POST starts the pack's jobs (202), GET reads the latest ones."""

    method_permissions = {"GET": "evaluation.export", "POST": "evaluation.export"}
    action_service, action_status = packs.pack_start, status.HTTP_202_ACCEPTED
    output_serializer = PackJobSerializer
    docs = {
        "get": Doc(
            "evaluations_pack_list",
            "The latest evaluation pack's jobs",
            "`evaluation.export`: the latest PDF, XLSX and CSV jobs of the pack (empty if none was made).",
            errors=READ,
        ),
        "post": Doc(
            "evaluations_pack_create",
            "Make the evaluation pack",
            "`evaluation.export`, once moderation is finalised: starts the PDF, XLSX and CSV jobs, as the "
            "pack page does. 202 with the jobs.",
            responses={202: PackJobSerializer(many=True)},
            errors=WRITE,
        ),
    }

    def items(self):
        return packs.pack_jobs(self.get_object())

    def act(self, evaluation, data: dict):
        if refusal := packs.pack_refusal(evaluation):
            raise services.StateRefused(refusal)
        return self.call(self.action_service, evaluation, data)

    def present(self, jobs) -> list:
        return self.present_all(jobs)  # the jobs started
