"""Vocabulary data files: ESCO skills and ICT occupations (derived from ESCO), EQF levels."""
