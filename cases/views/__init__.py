"""Pages of the cases app, one module per audience: citizen, counter, intake, decision, workbench.
verify.py (B1) and supervision.py (C) sit beside them."""
