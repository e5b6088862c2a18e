"""Kabar's services and the small library they share."""
