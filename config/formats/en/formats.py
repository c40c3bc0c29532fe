# Every date and time on our pages: in the regulator's zone, named (WIB), one pattern.
DATETIME_FORMAT = "j F Y H:i T"
SHORT_DATETIME_FORMAT = "j M Y H:i T"
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
