"""The viewer's library: folders of films, their titles, the analysis queue and search across films."""
