"""积分考核台账 (jifen): offline points-based assessment for a police station."""

__version__ = "0.1.0"
