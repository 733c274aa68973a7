"""School networks, support events and lesson observation (post-course support)."""
