"""External measures: UN General Assembly votes, ideal points and SIPRI arms transfers.

Every file is found under :func:`toolkit.config.get_external_home` (environment variable
``FPTK_EXTERNAL_HOME``) unless a path is passed::

    <external home>/unvotes/un_votes.csv, un_roll_calls.csv, un_roll_call_issues.csv
    <external home>/idealpoints/IdealpointsJuly2025.dta (or IdealpointestimatesAll_Jul2023.csv)
    <external home>/sipri/trade-register.csv

Codes are normalised to ISO3 with :func:`toolkit.actors.to_iso3`, using the conventions
of the UNGDC corpus so that dyads join with text measures (the Soviet Union is RUS, West
Germany DEU, North Yemen YEM; DDR, CSK, YUG, YMD are kept). Every reader lists what did
not match and why in ``attrs["unmatched"]`` and, by default, warns.

Modules
-------
- :mod:`~toolkit.external.votes`: :func:`load_unvotes`, :func:`voting_agreement`,
  :data:`ISSUES`.
- :mod:`~toolkit.external.idealpoints`: :func:`load_idealpoints`,
  :func:`idealpoint_distance`.
- :mod:`~toolkit.external.sipri`: :func:`load_sipri`, :func:`arms_transfers`,
  :func:`delivery_series`, :data:`SIPRI_COLUMNS`.

Every name is importable from ``toolkit.external`` itself. Finding the files, checking
their columns, reporting unmatched codes and the seat recodes are shared by the readers
(the private ``_common`` module).

Voting agreement
----------------
:func:`voting_agreement` gives, for every pair of states and period, over the roll calls
both voted on (yes, no or abstain; absences are not in the data):

``"identical"`` (default)
    the share of roll calls on which both cast the same vote;
``"abstain_half"``
    ``1 − mean |v_a − v_b|`` with yes = 1, abstain = 0.5, no = 0 (an abstention against a yes
    or a no counts as half an agreement; Voeten's ``agree`` measure);
``"s_score"``
    Signorino & Ritter's S with the same coding and absolute distance: ``1 − 2 mean |v_a − v_b|``,
    in [−1, 1].
``"kappa"``
    Cohen's (1960) kappa, chance-corrected agreement after Häge (2011), *Political Analysis*
    19(3), 287-305: ``(p_o − p_e) / (1 − p_e)``, ``p_o`` the share of identical votes,
    ``p_e = sum_k p_a(k) p_b(k)`` with ``p_a(k)`` state a's share of votes in category k
    (yes, abstain, no) over the roll calls both voted on; NaN when ``p_e = 1``.

Seats (``seat_convention="split"``, the default, as ``load_ungdc(china_seat="split")``)
---------------------------------------------------------------------------------------
The Republic of China is TWN, the People's Republic CHN: votes switch on 25 Oct 1971
(resolution 2758); an ideal-point row is dated 31 Dec of its year, so 1971 has a TWN and a
CHN row. RUS is the Soviet Union up to 1991, with no recode: a RUS series crossing 1991
joins two states.
"""

from toolkit.exceptions import ExternalDataMissingError
from toolkit.external._common import CHINA_SEAT_CHANGE as CHINA_SEAT_CHANGE
from toolkit.external._common import SERBIA_FROM as SERBIA_FROM
from toolkit.external._common import SeatConvention as SeatConvention
from toolkit.external.idealpoints import idealpoint_distance, load_idealpoints
from toolkit.external.sipri import SIPRI_COLUMNS, arms_transfers, delivery_series, load_sipri
from toolkit.external.votes import ISSUES, load_unvotes, voting_agreement

__all__ = ["ISSUES", "SIPRI_COLUMNS", "ExternalDataMissingError", "arms_transfers",
           "delivery_series", "idealpoint_distance", "load_idealpoints", "load_sipri",
           "load_unvotes", "voting_agreement"]
