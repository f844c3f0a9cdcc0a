"""Campaign years: «Мектепке жол» runs every year, 1 August – 30 September."""
