"""Isolation makers for the local_compact pages: keyword -> function(world, authority) returning an object id."""

LOCAL_COMPACT_MAKERS = {}
