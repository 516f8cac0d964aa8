"""Request and response bodies of the admin API, named by role (`…Create`, `…Public`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr

Language = Literal["en", "zu", "st"]
NUL = "\x00"


def _no_nul(value: str) -> str:
    if NUL in value:
        raise ValueError("must not contain a NUL character (U+0000)")
    return value


def _secret_no_nul(value: SecretStr) -> SecretStr:
    _no_nul(value.get_secret_value())
    return value


# Request text is stored in PostgreSQL, which cannot hold U+0000: refused with 422 up front.
Text = Annotated[str, AfterValidator(_no_nul)]
Secret = Annotated[SecretStr, AfterValidator(_secret_no_nul)]


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorPublic(BaseModel):
    error: ErrorDetail


class OperatorPublic(BaseModel):
    subject: str
    expires_at: datetime


class TenantCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Text = Field(examples=["SPAZA-01"], description="2-32 letters, digits or '-'")
    name: Text = Field(max_length=100)
    phone_number_id: Text = Field(description="WhatsApp phone_number_id from Meta's API Setup")
    access_token: Secret = Field(description="Graph API token for that number")
    display_phone_number: Text = ""
    staff_phones: list[Text] = Field(default_factory=list, max_length=20)
    default_language: Language = "en"


class TenantPublic(BaseModel):
    id: UUID
    code: str
    name: str
    default_language: str
    is_open: bool


class ChannelCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone_number_id: Text
    access_token: Secret
    display_phone_number: Text = ""


class ChannelPublic(BaseModel):
    """A WhatsApp number of the shop; its access token is never returned."""

    phone_number_id: str
    display_phone_number: str
    created_at: datetime


class StaffCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: Text = Field(examples=["27821234567"], description="with the country code")
    name: Text = Field(default="", max_length=100)
    role: Literal["owner", "staff"] = "staff"


class StaffPublic(BaseModel):
    phone: str
    name: str
    role: str
    created_at: datetime


class ImportRowError(BaseModel):
    line: int = Field(description="line in the file; the header is line 1")
    sku: str | None
    column: str | None
    message: str


class CatalogImportPublic(BaseModel):
    rows: int
    imported: int
    dry_run: bool
    errors: list[ImportRowError]
    ignored_columns: list[str]


class UsageDayPublic(BaseModel):
    day: date
    messages_in: int
    messages_out: int
    nlu_calls: int
    counters: dict[str, int]


class UsagePublic(BaseModel):
    code: str
    start: date
    end: date
    messages_in: int
    messages_out: int
    nlu_calls: int
    days: list[UsageDayPublic]
