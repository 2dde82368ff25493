"""Why a PDF yields no report: the exceptions extraction raises for input it cannot use."""


class ReportError(Exception):
    """A PDF that cannot become a report; the message is meant for a person."""


class UnreadableReport(ReportError):
    """The file is not a readable PDF with a text layer (empty, corrupt, encrypted, scanned...)."""


class NotABudgetReport(ReportError):
    """A readable PDF in which none of the standard budget tables was found."""
