"""The evaluation pack: starting its PDF, XLSX and CSV jobs and reading where they stand."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.models import JobStatus

from .. import packs, services
from .common import READ_ERRORS, TAG_EVALUATIONS, WRITE_ERRORS
from .evaluations import EvaluationsView

# The evaluation pack ---------------------------------------------------------------------------------------------


class PackJobSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The job's id: follow it and download its file with the jobs API.")
    kind = serializers.CharField()
    status = serializers.CharField(help_text=f"One of: {', '.join(JobStatus.values)}.")
    progress = serializers.IntegerField(help_text="Per cent done.")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class Pack(EvaluationsView):
    method_permissions = {"GET": "evaluation.export", "POST": "evaluation.export"}

    @extend_schema(
        operation_id="evaluations_pack_list",
        summary="The latest evaluation pack's jobs",
        description="`evaluation.export`: the latest PDF, XLSX and CSV jobs of the pack (empty if none was made).",
        responses={200: PackJobSerializer(many=True), **READ_ERRORS},
        tags=TAG_EVALUATIONS,
    )
    def get(self, request, authority_slug, evaluation_id):
        return Response(PackJobSerializer(packs.pack_jobs(self._evaluation(evaluation_id)), many=True).data)

    @extend_schema(
        operation_id="evaluations_pack_create",
        summary="Make the evaluation pack",
        description="`evaluation.export`, once moderation is finalised: starts the PDF, XLSX and CSV jobs, as the "
        "pack page does. 202 with the jobs.",
        request=None,
        responses={202: PackJobSerializer(many=True), **WRITE_ERRORS},
        tags=TAG_EVALUATIONS,
    )
    def post(self, request, authority_slug, evaluation_id):
        evaluation = self._evaluation(evaluation_id)
        if refusal := packs.pack_refusal(evaluation):
            raise services.StateRefused(refusal)
        jobs = packs.pack_start(evaluation=evaluation, acting_user=request.user)
        return Response(PackJobSerializer(jobs, many=True).data, status=status.HTTP_202_ACCEPTED)
