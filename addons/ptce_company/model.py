# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"Model mixins shared by the modules of Les Ateliers"


class RecNameSearchMixin:
    """Search the record name on each field of _rec_name_fields.

    A record matches a positive clause (``ilike``) when one of the fields
    matches, and a negative one (``not ilike``, ``!=``) when none of them
    matches, the way Tryton's own models combine them."""
    __slots__ = ()
    _rec_name_fields = []

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, *_ = clause
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op] + [
            (field, *clause[1:]) for field in cls._rec_name_fields]
