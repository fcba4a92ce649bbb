"""The canonical record fields (a contract: CSV headers that need no mapping).

Kept free of Django so that readers, mappings and simulators can use it; the store's
``core.models`` re-exports it.
"""

CANONICAL_FIELDS = (
    "record_id",
    "full_name",
    "given_name",
    "father_name",
    "grandfather_name",
    "family_name",
    "mother_name",
    "sex",
    "birth_date",
    "age",
    "governorate",
    "district",
    "place",
    "registry_number",
    "arrest_date",
    "arrest_place",
    "arresting_party",
    "detention_facility",
    "detainee_number",
    "death_date",
    "death_place",
    "cause_of_death",
    "status",
    "remains_returned",
    "notes",
)
NAME_PARTS = ("given_name", "father_name", "grandfather_name", "family_name")
DATE_FIELDS = ("birth_date", "arrest_date", "death_date")
