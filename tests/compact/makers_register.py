"""Isolation makers for the register pages: keyword -> function(world, authority) returning an object id."""

REGISTER_MAKERS = {}
