"""Command-line tool and shared setup of Les Ateliers ERP."""
