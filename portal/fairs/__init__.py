"""School fairs, mobile fairs in remote settlements and charity events of a campaign."""
