"""OSM street networks for walk/bike legs: merging and clipping PBF extracts (pyosmium)."""
