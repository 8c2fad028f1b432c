"""selo: the ANS 'Selo de Maturidade Digital', built automatically from the Gov.br catalogue."""

__version__ = "0.1.0"
