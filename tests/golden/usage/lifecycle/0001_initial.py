# Stands for Django's first migration of the app `shop` (its tables).
