staff_urlpatterns = []
public_urlpatterns = []
platform_urlpatterns = []
