"""Django REST framework ships no Kiswahili catalog. Its messages that the API can send are marked here so
`makemessages` copies them into ours; Django looks every msgid up in the project catalog too, so DRF's own
gettext calls then answer in Kiswahili. tests/api/test_errors.py fails when DRF adds one we can send."""

from __future__ import annotations

from django.utils.translation import gettext_noop

DRF_MESSAGES = frozenset(
    {
        gettext_noop('"{input}" is not a valid choice.'),
        gettext_noop("A valid integer is required."),
        gettext_noop("A valid number is required."),
        gettext_noop("Authentication credentials were not provided."),
        gettext_noop("Could not satisfy the request Accept header."),
        gettext_noop("Date has wrong format. Use one of these formats instead: {format}."),
        gettext_noop("Datetime has wrong format. Use one of these formats instead: {format}."),
        gettext_noop("Datetime value out of range."),
        gettext_noop("Ensure this field has at least {min_length} characters."),
        gettext_noop("Ensure this field has at least {min_length} elements."),
        gettext_noop("Ensure this field has no more than {max_length} characters."),
        gettext_noop("Ensure this field has no more than {max_length} elements."),
        gettext_noop("Ensure this value is greater than or equal to {min_value}."),
        gettext_noop("Ensure this value is less than or equal to {max_value}."),
        gettext_noop('Enter a valid "slug" consisting of Unicode letters, numbers, underscores, or hyphens.'),
        gettext_noop('Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.'),
        gettext_noop("Expected a date but got a datetime."),
        gettext_noop("Expected a datetime but got a date."),
        gettext_noop('Expected a list of items but got type "{input_type}".'),
        gettext_noop("Incorrect authentication credentials."),
        gettext_noop("Incorrect type. Expected pk value, received {data_type}."),
        gettext_noop("Integer value too large to convert to float"),
        gettext_noop("Invalid data. Expected a dictionary, but got {datatype}."),
        gettext_noop('Invalid datetime for the timezone "{timezone}".'),
        gettext_noop('Invalid pk "{pk_value}" - object does not exist.'),
        gettext_noop("Invalid token header. No credentials provided."),
        gettext_noop("Invalid token header. Token string should not contain invalid characters."),
        gettext_noop("Invalid token header. Token string should not contain spaces."),
        gettext_noop("Invalid token."),
        gettext_noop("Malformed request."),
        gettext_noop('Method "{method}" not allowed.'),
        gettext_noop("Must be a valid boolean."),
        gettext_noop("Not a valid string."),
        gettext_noop("Not found."),
        gettext_noop("String value too large."),
        gettext_noop("Surrogate characters are not allowed: U+{code_point:X}."),
        gettext_noop("This field is required."),
        gettext_noop("This field may not be blank."),
        gettext_noop("This field may not be null."),
        gettext_noop("This list may not be empty."),
        gettext_noop("This value does not match the required pattern."),
        gettext_noop('Unsupported media type "{media_type}" in request.'),
        gettext_noop("User inactive or deleted."),
        gettext_noop("You do not have permission to perform this action."),
    }
)
