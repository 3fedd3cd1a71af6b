"""The limits of ``common.limits`` applied to a mission request and to the other texts of an order."""

from common import limits as L


def clean_order_input(data, errors: dict, today=None) -> None:
    """Normalise the one-line fields of an ``OrderInput`` (in place) and add a message per limit crossed."""
    data.invitation_sender = L.one_line(data.invitation_sender)
    data.invitation_number = L.one_line(data.invitation_number)
    L.check_length(errors, "purpose_km", data.purpose_km, L.PURPOSE)
    L.check_length(errors, "purpose_en", data.purpose_en, L.PURPOSE)
    L.check_length(errors, "approval_note", data.approval_note, L.APPROVAL_NOTE)
    L.check_length(errors, "invitation_sender", data.invitation_sender, L.INVITATION_SENDER)
    L.check_length(errors, "invitation_number", data.invitation_number, L.INVITATION_NUMBER)
    L.check_departure(errors, "departure_date", data.departure_date, today)
    L.check_mission_length(errors, "return_date", data.departure_date, data.return_date)
    L.check_letter_date(errors, "invitation_date", data.invitation_date, today)
    L.check_letter_date(errors, "approval_date", data.approval_date, today)
    if len(data.legs) > L.MAX_LEGS:
        errors.setdefault("legs", L.legs_message(len(data.legs)))
    for leg in data.legs:
        for end in ("from_city", "to_city"):
            value = L.one_line(getattr(leg, end, ""))
            setattr(leg, end, value)
            if len(value) > L.CITY:
                errors.setdefault("legs", L.too_long(L.CITY, len(value)))
