# Django initial
