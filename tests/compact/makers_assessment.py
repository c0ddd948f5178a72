"""Isolation makers for the assessment pages: keyword -> function(world, authority) returning an object id."""

ASSESSMENT_MAKERS = {}
