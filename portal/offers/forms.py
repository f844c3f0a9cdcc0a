"""The donation-offer form: every rule lives here, so inline validation and submission agree."""

from __future__ import annotations

import datetime as dt
import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from .. import clock, submitonce
from ..forms import BIGINT_MAX, CheckboxesField, DayField, WholeNumberField
from ..needs.services import answerable_need
from ..phones import normalise_kz_phone
from ..recipients import GROUPS
from ..text import clean_line, clean_text
from .models import DONOR_TYPES, KINDS, ORGANISATION_TYPES, STATUSES
from .validators import (
    clean_id,
    has_valid_check_digit,
    looks_like_bin,
    looks_like_iin,
)

SUBMISSION = "offer"  # the purpose of the form's one-time value (portal/submitonce.py)


def new_form_token() -> str:
    """The one-time value put in each freshly rendered offer form."""
    return submitonce.mint(SUBMISSION)

HONEYPOT_MESSAGE = _l("Your offer could not be sent: a hidden field was filled in, which usually happens with automatic form filling. Please check the form and send it again.")


def too_long(n: int):
    return Length(max=n, message=_l("Please keep this under %(max)d characters."))


class OfferForm(FlaskForm):
    donor_type = RadioField(
        _l("Who is offering help?"),
        choices=list(DONOR_TYPES.items()),
        validators=[InputRequired(_l("Choose who is offering help."))],
        validate_choice=False,
    )
    org_name = StringField(
        _l("Name of the business or organisation"), filters=[clean_line], validators=[too_long(200)]
    )
    tax_id = StringField(
        _l("BIN or IIN"),
        filters=[clean_line],
        validators=[too_long(20)],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 20},
    )
    contact_name = StringField(
        _l("Contact person"),
        filters=[clean_line],
        validators=[DataRequired(_l("Enter the name of the person we should talk to.")), too_long(120)],
        render_kw={"autocomplete": "name"},
    )
    phone = TelField(
        _l("Phone"),
        filters=[clean_line],
        validators=[too_long(32)],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )
    email = EmailField(
        _l("Email"),
        filters=[clean_line],
        validators=[
            Optional(),
            too_long(254),
            Email(message=_l("Enter an email address like name@example.kz."), check_deliverability=False),
        ],
        render_kw={"autocomplete": "email"},
    )

    kinds = CheckboxesField(
        _l("What do you offer?"),
        choices=list(KINDS.items()),
        invalid_message=_l("Choose what you offer from the list."),
    )
    quantity = WholeNumberField(_l("Quantity (sets, pairs, items)"))
    value_tenge = WholeNumberField(_l("Estimated value in tenge"), max=BIGINT_MAX)
    description = TextAreaField(
        _l("Describe your offer"), filters=[clean_text], validators=[too_long(2000)], render_kw={"rows": 5}
    )

    discount_percent = WholeNumberField(_l("Discount, %"))
    shop_name = StringField(_l("Shop name"), filters=[clean_line], validators=[too_long(200)])
    shop_address = StringField(_l("Shop address"), filters=[clean_line], validators=[too_long(300)])
    discount_starts_on = DayField(_l("Lower prices from"))
    discount_ends_on = DayField(_l("Lower prices until"))

    regions = CheckboxesField(
        _l("For which regions?"), invalid_message=_l("Choose regions from the list.")
    )
    anywhere = BooleanField(_l("Wherever help is needed most"))

    consent_data = BooleanField(
        _l("I agree that the campaign staff process these data to contact me about this offer."),
        validators=[DataRequired(_l("Without your consent we cannot take the offer."))],
    )
    consent_public = BooleanField(_l("You may name us on the public sponsor wall."))
    public_name = StringField(_l("Name on the sponsor wall"), filters=[clean_line], validators=[too_long(200)])

    # Hidden from people (CSS and aria-hidden); bots fill every field.
    website = StringField(_l("Leave this field empty"), render_kw={"autocomplete": "off", "tabindex": "-1"})
    form_token = HiddenField()
    # The published need (portal/needs) the sponsor is answering, when they came from the needs board.
    need_id = HiddenField()

    def __init__(self, *args, region_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.regions.choices = list(region_choices)

    # --- cross-field rules -------------------------------------------------------

    def validate_donor_type(self, field):
        if field.data not in DONOR_TYPES:
            raise ValidationError(_l("Choose who is offering help."))

    def validate_org_name(self, field):
        if self.donor_type.data in ("company", "ngo") and not field.data:
            raise ValidationError(_l("Enter the name of the company or organisation."))

    def validate_tax_id(self, field):
        kind = self.donor_type.data
        if kind not in ORGANISATION_TYPES:
            return
        number = clean_id(field.data)
        wants_iin = kind == "sole_proprietor"
        if not number:
            raise ValidationError(_l("Enter your IIN.") if wants_iin else _l("Enter the BIN."))
        if not re.fullmatch(r"[0-9]{12}", number):
            raise ValidationError(_l("The IIN has 12 digits.") if wants_iin else _l("The BIN has 12 digits."))
        if not has_valid_check_digit(number):
            raise ValidationError(
                _l("This IIN is not valid: please check the digits.")
                if wants_iin
                else _l("This BIN is not valid: please check the digits.")
            )
        if wants_iin and not looks_like_iin(number):
            raise ValidationError(_l("This looks like a BIN. A sole proprietor gives their IIN."))
        if not wants_iin and not looks_like_bin(number):
            raise ValidationError(_l("This looks like an IIN. Companies and NGOs give their BIN."))
        field.data = number

    def validate_phone(self, field):
        if field.data:
            normalised = normalise_kz_phone(field.data)
            if normalised is None:
                raise ValidationError(
                    _l("Enter a Kazakhstan phone number, for example 8 701 123 45 67 or +7 701 123 45 67.")
                )
        elif not self.email.data:
            raise ValidationError(_l("Give a phone number or an email, so that we can reach you."))

    def validate_kinds(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one kind of help."))

    def validate_value_tenge(self, field):
        if field.data is not None and not 1 <= field.data <= 100_000_000_000:
            raise ValidationError(_l("Enter an amount from 1 to 100,000,000,000 tenge."))
        if "money" in (self.kinds.data or []) and field.data is None:
            raise ValidationError(_l("Enter the amount of money you offer."))

    def validate_quantity(self, field):
        if field.data is not None and not 1 <= field.data <= 1_000_000:
            raise ValidationError(_l("Enter a number from 1 to 1,000,000."))
        goods = set(self.kinds.data or []) & {"uniforms", "shoes", "backpacks", "stationery"}
        if goods and field.data is None and self.value_tenge.data is None:
            raise ValidationError(_l("Enter the quantity or the estimated value."))

    def _pledge(self) -> bool:
        return "price_reduction" in (self.kinds.data or [])

    def validate_discount_percent(self, field):
        if field.data is not None and not 1 <= field.data <= 90:
            raise ValidationError(_l("Enter a discount between 1 and 90 per cent."))
        if self._pledge() and field.data is None:
            raise ValidationError(_l("Enter the discount in per cent."))

    def validate_shop_name(self, field):
        if self._pledge() and not field.data:
            raise ValidationError(_l("Enter the name of the shop."))

    def validate_shop_address(self, field):
        if self._pledge() and not field.data:
            raise ValidationError(_l("Enter the address of the shop."))

    def validate_discount_starts_on(self, field):
        if self._pledge() and field.data is None and not field.errors:
            raise ValidationError(_l("Enter the first day of lower prices."))
        if field.data and not dt.date(2000, 1, 1) <= field.data <= dt.date(2100, 12, 31):
            raise ValidationError(_l("Enter a date, for example 31.08.2023."))

    def validate_discount_ends_on(self, field):
        if self._pledge() and field.data is None and not field.errors:
            raise ValidationError(_l("Enter the last day of lower prices."))
        if field.data is None:
            return
        if not dt.date(2000, 1, 1) <= field.data <= dt.date(2100, 12, 31):
            raise ValidationError(_l("Enter a date, for example 31.08.2023."))
        start = self.discount_starts_on.data
        if start and field.data < start:
            raise ValidationError(_l("The last day cannot be before the first day."))
        if field.data < clock.today_in():
            raise ValidationError(_l("This date has already passed."))

    def validate_regions(self, field):
        if self.anywhere.data and field.data:
            raise ValidationError(_l("Choose regions or “wherever help is needed most”, not both."))
        if not self.anywhere.data and not field.data:
            raise ValidationError(_l("Choose at least one region, or “wherever help is needed most”."))

    def validate_public_name(self, field):
        if field.data and not self.consent_public.data:
            raise ValidationError(_l("Tick the box above if you want to be named on the wall."))

    def validate_website(self, field):
        if field.data:
            raise ValidationError(HONEYPOT_MESSAGE)

    def validate_need_id(self, field):
        """Never an error: a need that is unknown, covered or not on the board (an edited or stale link) is dropped."""
        need = answerable_need(field.data) if field.data else None
        field.data = str(need.id) if need is not None else ""

    def validate_form_token(self, field):
        """Keep what recognises this form sent again (``submission``); a refused value is renewed, so sending works."""
        try:
            self.submission = submitonce.fingerprint(submitonce.seed(field.data, SUBMISSION), SUBMISSION)
        except submitonce.Refused:
            field.data = new_form_token()
            raise ValidationError(_l("This form is incomplete. Please reload the page and send it again.")) from None

    # --- result ---------------------------------------------------------------------

    def offer_data(self) -> dict:
        """Column values of a new offer (validated and normalised)."""
        organisation = self.donor_type.data in ORGANISATION_TYPES
        pledge = self._pledge()
        return {
            "donor_type": self.donor_type.data,
            "org_name": self.org_name.data or "" if organisation else "",
            "tax_id": clean_id(self.tax_id.data) if organisation else "",
            "contact_name": self.contact_name.data,
            "phone": normalise_kz_phone(self.phone.data) or "" if self.phone.data else "",
            "email": (self.email.data or "").lower(),
            "kinds": list(self.kinds.data),
            "quantity": self.quantity.data,
            "value_tenge": self.value_tenge.data,
            "description": self.description.data or "",
            "discount_percent": self.discount_percent.data if pledge else None,
            "shop_name": self.shop_name.data or "" if pledge else "",
            "shop_address": self.shop_address.data or "" if pledge else "",
            "discount_starts_on": self.discount_starts_on.data if pledge else None,
            "discount_ends_on": self.discount_ends_on.data if pledge else None,
            "anywhere": bool(self.anywhere.data),
            "regions": [] if self.anywhere.data else list(self.regions.data),
            "consent_public": bool(self.consent_public.data),
            "public_name": self.public_name.data or "" if self.consent_public.data else "",
            "need_id": int(self.need_id.data) if self.need_id.data else None,
        }


# --- staff ------------------------------------------------------------------------------


class OfferFilterForm(FlaskForm):
    """GET filters of the staff list (no CSRF: a filter is a shareable link)."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), validators=[Optional()], validate_choice=False)
    region = SelectField(_l("Region"), validators=[Optional()], validate_choice=False)
    kind = SelectField(_l("Kind of help"), validators=[Optional()], validate_choice=False)
    donor = SelectField(_l("Who offers"), validators=[Optional()], validate_choice=False)
    date_from = DayField(_l("Received from"))
    date_to = DayField(_l("Received until"))

    def cleaned(self) -> dict:
        """Filter values, each ignored when it is not one of the choices (a hand-edited URL is no error)."""

        def pick(field):
            return field.data if field.data in {value for value, _label in field.choices} and field.data else None

        return {
            "status": pick(self.status),
            "region": pick(self.region),
            "kind": pick(self.kind),
            "donor_type": pick(self.donor),
            "date_from": self.date_from.data if not self.date_from.errors else None,
            "date_to": self.date_to.data if not self.date_to.errors else None,
        }


class StatusForm(FlaskForm):
    status = SelectField(_l("New status"), validate_choice=False)
    note = TextAreaField(_l("Note"), filters=[clean_text], validators=[too_long(2000)], render_kw={"rows": 3})

    def __init__(self, *args, offer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._offer = offer
        allowed = offer.next_statuses if offer is not None else ()
        self.status.choices = [(code, STATUSES[code]) for code in allowed]

    def validate_status(self, field):
        if field.data not in {code for code, _label in self.status.choices}:
            raise ValidationError(_l("This status change is not possible."))
        if field.data == "delivered" and self._offer is not None and not self._offer.deliveries:
            raise ValidationError(_l("Record what was delivered first (below): a delivered offer says what, how many and where."))

    def validate_note(self, field):
        if self.status.data == "declined" and not field.data:
            raise ValidationError(_l("Say why the offer is declined."))


class WallForm(FlaskForm):
    show = HiddenField()


# --- deliveries -------------------------------------------------------------------------------

MAX_DELIVERY_QUANTITY = 1_000_000
MAX_DELIVERY_VALUE = 10_000_000_000
# A destination is a district, settlement or school: never a person. A phone number or a 12-digit
# IIN in it is refused (the one way a family's identity would slip into an aggregate).
_PERSONAL = re.compile(r"\d{12}|(?:\+?7|8)[\s(-]*7\d{2}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}|@")


class DeliveryForm(FlaskForm):
    """One delivery of an offer, recorded by staff of the offer's region."""

    kind = SelectField(_l("What was delivered"), validate_choice=False)
    description = StringField(
        _l("Details (optional)"), filters=[clean_line], validators=[Optional(), too_long(200)]
    )
    quantity = WholeNumberField(_l("How many items"))
    value_tenge = WholeNumberField(_l("Value, tenge"), max=BIGINT_MAX)
    children = WholeNumberField(_l("Children who received it (optional)"))
    delivered_on = DayField(_l("Delivered on"), validators=[InputRequired(_l("Enter a date, for example 31.08.2023."))])
    region_code = SelectField(_l("Region"), validate_choice=False)
    place = StringField(
        _l("District, settlement or school"),
        filters=[clean_line],
        validators=[DataRequired(_l("Name the district, settlement or school.")), too_long(200)],
    )
    locality = RadioField(
        _l("Town or village"), choices=[("urban", _l("Town or city")), ("rural", _l("Village"))], validate_choice=False
    )
    recipient_group = SelectField(
        _l("Group of children (optional)"),
        choices=[("", _l("Not stated"))] + list(GROUPS.items()), validate_choice=False,
    )
    complete = BooleanField(_l("This completes the offer: mark it delivered"))

    def __init__(self, *args, offer=None, region_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        kinds = offer.kind_codes if offer is not None else []
        self.kind.choices = [(k, KINDS[k]) for k in KINDS if k != "price_reduction" and (not kinds or k in kinds)] or [
            (k, KINDS[k]) for k in KINDS if k != "price_reduction"
        ]
        self.region_code.choices = list(region_choices)

    def validate_kind(self, field):
        if field.data not in {code for code, _label in self.kind.choices}:
            raise ValidationError(_l("Choose from the list."))

    def validate_region_code(self, field):
        if field.data not in {code for code, _label in self.region_code.choices}:
            raise ValidationError(_l("Choose a region from the list."))

    def validate_locality(self, field):
        if field.data not in ("urban", "rural"):
            raise ValidationError(_l("Say whether it went to a town or a village."))

    def validate_quantity(self, field):
        if field.data is None and self.value_tenge.data is None:
            raise ValidationError(_l("Give the number of items, the value, or both."))
        if field.data is not None and not 1 <= field.data <= MAX_DELIVERY_QUANTITY:
            raise ValidationError(_l("Enter a number from 1 to 1,000,000."))

    def validate_value_tenge(self, field):
        if field.data is not None and not 1 <= field.data <= MAX_DELIVERY_VALUE:
            raise ValidationError(_l("Enter an amount from 1 to 10,000,000,000 tenge."))

    def validate_children(self, field):
        if field.data is not None and field.data > MAX_DELIVERY_QUANTITY:
            raise ValidationError(_l("Enter a number from 0 to 1,000,000."))

    def validate_recipient_group(self, field):
        if field.data and field.data not in GROUPS:
            raise ValidationError(_l("Choose from the list."))

    def validate_delivered_on(self, field):
        if field.data is not None and field.data > clock.today_in():
            raise ValidationError(_l("A delivery cannot be in the future."))

    def validate_place(self, field):
        if field.data and _PERSONAL.search(field.data):
            raise ValidationError(
                _l("Name a district, settlement or school only: no phone number, e-mail or IIN of a person.")
            )

    def delivery_data(self) -> dict:
        return {
            "kind": self.kind.data,
            "description": self.description.data or "",
            "quantity": self.quantity.data,
            "value_tenge": self.value_tenge.data,
            "children": self.children.data,
            "delivered_on": self.delivered_on.data,
            "region_code": self.region_code.data,
            "place": self.place.data,
            "locality": self.locality.data,
            "recipient_group": self.recipient_group.data or None,
        }


class ConsentForm(FlaskForm):
    """The sponsor's button that withdraws consent to be named (CSRF only)."""


class NewLinkForm(FlaskForm):
    """Staff's button that gives the sponsor a new private link (CSRF only)."""
